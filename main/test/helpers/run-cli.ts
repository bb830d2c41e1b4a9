/** Runs `pitwall ARGS` (the built companion CLI) to its end: exit code, stdout, stderr (the testbed's, for the tests here). */
export { runCli } from '../../../testbed/companion.js';
