import { fuzzCiPart } from './fuzz/ci-part.js';

fuzzCiPart(0);
