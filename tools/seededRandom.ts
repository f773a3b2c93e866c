/** The seeded PRNG lives in src/shared (the analysis uses it too); tools and tests import it from here as before. */
export { mulberry32 } from '../src/shared/seededRandom';
