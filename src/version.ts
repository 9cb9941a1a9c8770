// The package's version (the OpenAPI document, beanstalkd's stats), read once from package.json at
// the checkout root: compiled code runs from dist/src/, tsx from src/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = path.resolve(HERE, HERE.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
export const PACKAGE_VERSION = (createRequire(import.meta.url)(path.join(ROOT_DIR, 'package.json')) as { version: string }).version;
