import { defineLoadSuite } from './load-suite.js';

defineLoadSuite('embedded', true);
