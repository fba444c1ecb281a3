/**
 * The server's contract flow (./flow.test.ts), run unchanged against a server on PostgreSQL behind
 * `prism proxy --errors` (see test/support/postgres-proxy-setup.ts): every operation of the spec, each
 * request and answer validated, with the runs executed by the engine and stored in PostgreSQL.
 */
import './flow.test.js';
