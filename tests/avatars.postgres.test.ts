import { afterAll, beforeAll, describe } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { defineAvatarSuite, handlerTransport } from './avatars-suite.js';
import { useDatabase } from './support/database.js';
import { startFakeCloudinary, type FakeCloudinary } from './support/fake-cloudinary.js';
import { postgresAvailable } from './support/services.js';

// The avatar cases at handler level again, on the local PostgreSQL through node-postgres and
// through the Neon HTTP driver: the username race after an upload is then settled by PostgreSQL's
// own unique index, and racing replacements by its row lock.
const enabled = await postgresAvailable();

describe.skipIf(!enabled).each(['pg', 'neon'] as const)('avatars on PostgreSQL (%s)', (driver) => {
  let fake: FakeCloudinary;
  let cleanup = async () => {};
  beforeAll(async () => {
    fake = await startFakeCloudinary();
    process.env.CLOUDINARY_URL = fake.cloudinaryUrl;
    resetConfig();
    cleanup = await useDatabase(driver);
  });
  afterAll(async () => {
    await cleanup();
    await fake?.close();
  });

  defineAvatarSuite(`handlers on PostgreSQL (${driver})`, () => ({ transport: handlerTransport, cloudinary: fake }));
});
