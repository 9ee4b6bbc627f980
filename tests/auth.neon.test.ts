import { defineAuthSuite } from './auth-suite.js';
import { postgresAvailable } from './support/services.js';

// The Neon serverless driver over a loopback WebSocket-to-TCP proxy to the local PostgreSQL.
defineAuthSuite('neon', await postgresAvailable());
