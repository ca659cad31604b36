#!/usr/bin/env node
'use strict';
// The CLI runs the compiled code; `npm install` builds it (the `prepare` script).
const { main } = require('../dist/cli/main.js');
main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
});
