import { defineAuthSuite } from './auth-suite.js';
import { postgresAvailable } from './support/services.js';

defineAuthSuite('pg', await postgresAvailable());
