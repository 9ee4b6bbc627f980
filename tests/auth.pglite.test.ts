import { defineAuthSuite } from './auth-suite.js';

defineAuthSuite('pglite', true);
