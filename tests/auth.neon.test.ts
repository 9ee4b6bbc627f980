import { defineAuthSuite } from './auth-suite.js';
import { postgresAvailable } from './support/services.js';

// The Neon serverless driver as the functions use it (SQL over HTTP, to a loopback stand-in for
// Neon's endpoint in front of the local PostgreSQL); migrations through its WebSocket pool.
defineAuthSuite('neon', await postgresAvailable());
