#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so `npm ci` needs no build step.
require('tsx/cjs');
const { run } = require('../src/cli/main.ts');
run(process.argv.slice(2)).then((code) => process.exit(code));
