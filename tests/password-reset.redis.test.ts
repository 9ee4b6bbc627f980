import { definePasswordResetSuite } from './password-reset-suite.js';
import { redisAvailable } from './support/services.js';

definePasswordResetSuite('redis', await redisAvailable());
