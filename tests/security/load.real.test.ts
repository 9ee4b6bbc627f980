import { postgresAvailable, redisAvailable } from '../support/services.js';
import { defineLoadSuite } from './load-suite.js';

// The local PostgreSQL (node-postgres) and Redis (through the Upstash REST stand-in).
defineLoadSuite('real', (await postgresAvailable()) && (await redisAvailable()));
