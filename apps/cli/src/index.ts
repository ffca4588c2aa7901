/** The budflow command line, as a library: build the command tree to embed or test it. */
export { createProgram } from './program.js';
export { EXIT, type ExitCode } from './output.js';
