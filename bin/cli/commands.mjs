// The client commands of `switchyard`: publish, status, failed list|retry|delete, work, export, import. Each takes
// --url and --token (else SWITCHYARD_URL, SWITCHYARD_TOKEN) and speaks through the SDK.
import { publishCommand } from './publish.mjs';
import { statusCommand, failedCommands } from './status.mjs';
import { workCommand } from './work.mjs';
import { exportCommand, importCommand } from './transfer.mjs';

const connection = (cmd) => cmd.option('--url <url>', 'the broker (SWITCHYARD_URL, else http://127.0.0.1:8080)')
  .option('--token <token>', 'a bearer token (SWITCHYARD_TOKEN)');

/** Runs a command's body; a refusal or an unreachable broker is one line on stderr and exit 1. */
const guarded = (body) => async (...args) => {
  try {
    await body(...args);
  } catch (e) {
    const code = e?.code && e?.status ? ` (${e.status} ${e.code})` : '';
    process.stderr.write(`switchyard: ${e?.message ?? e}${code}\n`);
    process.exitCode = 1;
  }
};

export function commands(program, sdk) {
  connection(program.command('publish').description('publish one event from flags, or JSON lines (PUT /task bodies) from a file or stdin')
    .option('--publisher <name>', 'the publisher, for events that name none')
    .option('--data <json>', 'one event\'s data (a JSON object)')
    .option('--file <path>', 'JSON lines, one event a line; - for stdin (the default when no --data)')
    .option('--json', 'print the answer (one event) as JSON'))
    .action(guarded(async (opts) => publishCommand(await sdk(), opts)));
  connection(program.command('status').description('queues as a table: waiting, started, failed, held')
    .option('--json', 'print GET /status as JSON'))
    .action(guarded(async (opts) => statusCommand(await sdk(), opts)));
  failedCommands(program.command('failed').description('the failed queue: list, retry, delete'), connection, guarded, sdk);
  connection(program.command('work').description('work tasks by running a command for each, with the task as JSON on stdin')
    .requiredOption('--queues <a,b>', 'queues in priority order')
    .option('--concurrency <n>', 'tasks of each queue run at once', '1')
    .requiredOption('--exec <command>', 'run by sh -c; exit 0 is a success, anything else a fail with the end of stderr as the reason')
    .option('--name <name>', 'the worker\'s name')
    .option('--stop-timeout <seconds>', 'on SIGTERM or Ctrl-C, how long running commands may finish before they are ended', '30'))
    .action(guarded(async (opts) => workCommand(await sdk(), opts)));
  connection(program.command('export').description('write the broker\'s whole state as JSON lines (GET /export; an admin token)')
    .option('--file <path>', 'write here instead of stdout'))
    .action(guarded(async (opts) => exportCommand(await sdk(), opts)));
  connection(program.command('import').description('load a file written by export into this broker (POST /import, in batches)')
    .argument('<file>', 'the export; - for stdin')
    .option('--skip-existing', 'leave out tasks this broker has already (to go on after an import that stopped)'))
    .action(guarded(async (file, opts) => importCommand(await sdk(), file, opts)));
}
