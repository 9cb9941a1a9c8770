// Loaded into one soak broker (node --import): its clock runs SOAK_CLOCK_SKEW_MS ahead of the
// others', as a node with a drifting clock would. Test harness only.
const skew = Number(process.env.SOAK_CLOCK_SKEW_MS ?? 0);
const now = Date.now;
Date.now = () => now() + skew;
