import { definePasswordResetSuite } from './password-reset-suite.js';

definePasswordResetSuite('in-process', true);
