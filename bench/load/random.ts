/**
 * Seeded randomness. One user seed yields one independent generator per source of randomness
 * (key choice, operation mix, arrival times), as pgbench keeps separate generators for key choice
 * and throttling: adding a draw to one source never shifts the sequence of another.
 */

/** The sources of randomness the load uses; each gets its own stream. */
export type RandomStream = 'keys' | 'ops' | 'arrivals';

/** FNV-1a, 32 bits: turns a stream name into seed material. */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** splitmix32: spreads a 32-bit seed over the four sfc32 state words. */
function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, passes
 * PractRand, a few ns per draw. Not for cryptography.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any safe integer (both 32-bit halves are used); `stream` names the source. */
  constructor(seed: number, stream: string) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const mix = splitmix32((lo ^ Math.imul(hi, 0x85ebca6b) ^ fnv1a32(stream)) >>> 0);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // The first outputs of a freshly seeded sfc32 are weakly mixed.
    for (let i = 0; i < 15; i++) this.uint32();
  }

  /** Uniform integer in [0, 2^32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1), 32 bits of resolution. */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
}

/** One generator per source, all derived from one user seed. */
export function randomStreams(seed: number): Record<RandomStream, Random> {
  return {
    keys: new Random(seed, 'keys'),
    ops: new Random(seed, 'ops'),
    arrivals: new Random(seed, 'arrivals'),
  };
}
