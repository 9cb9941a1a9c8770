#!/usr/bin/env node
// The `switchyard` command: serve (the built broker; also what no command runs), publish, status,
// failed, work and token. Every command but serve talks to a broker over HTTP with the SDK
// (switchyard/client); --url and --token fall back to SWITCHYARD_URL and SWITCHYARD_TOKEN.
import { Command } from 'commander';
import { existsSync } from 'node:fs';

const built = (file) => {
  const url = new URL(`../dist/src/${file}`, import.meta.url);
  if (!existsSync(url)) {
    process.stderr.write('switchyard: not built yet; run `npm run build` (npm start builds too)\n');
    process.exit(2);
  }
  return url.href;
};

// `switchyard token ...` keeps its own arguments (bin/token.mjs); `switchyard` alone serves.
if (process.argv[2] === 'token') {
  const { tokenCommand } = await import('./token.mjs');
  process.exit(await tokenCommand(process.argv.slice(3)));
}
// `switchyard serve [--flags]` (and `switchyard` alone) is the broker, which reads its own flags
// (`switchyard serve --help` lists every setting).
if (process.argv.length <= 2 || process.argv[2] === 'serve') {
  process.argv.splice(2, process.argv[2] === 'serve' ? 1 : 0);
  await import(built('main.js'));
} else {
  const { commands } = await import('./cli/commands.mjs');
  const program = new Command('switchyard')
    .description('Interest-routed pub/sub task broker: serve it, or publish, watch and work through its HTTP API')
    .showHelpAfterError();
  program.command('serve').description('run the broker: settings from the environment or as flags (switchyard serve --help)');
  commands(program, () => import(built('client/index.js')));
  program.command('token').description('create, list and delete API tokens: switchyard token --help').helpOption(false).allowUnknownOption();
  await program.parseAsync();
}
