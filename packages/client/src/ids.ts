const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let next = 0;

/**
 * 128 random bits as 32 hex digits, from the Web Crypto API of every supported runtime
 * (`getRandomValues`, which unlike `randomUUID` also exists outside secure contexts in browsers).
 * Every request gets one, so the bytes are drawn 4 KiB at a time and each is used once.
 */
export function randomId(): string {
  if (next + 16 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    next = 0;
  }
  let id = '';
  for (const end = next + 16; next < end; next++) id += HEX[pool[next] as number];
  return id;
}
