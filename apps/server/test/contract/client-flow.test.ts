/**
 * The client package's contract flow, run unchanged against this server behind `prism proxy --errors`
 * (see test/support/client-flow-setup.ts): every request and answer the client makes is checked
 * against the spec, with the client's own helpers (paging, waiting, runSuite, NDJSON generate).
 */
import '../../../../packages/client/test/contract/flow.test.js';
