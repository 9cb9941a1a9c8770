// Time and chance, handed to the store from outside: the store reads neither the clock nor a
// random source itself, so tests can give it their own.
export interface Clock {
  nowMs(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now(), random: () => Math.random() };
