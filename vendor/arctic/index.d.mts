// The types of arctic/dist/client.js, arctic/dist/oauth2.js, arctic/dist/request.js, for index.mjs beside it, which holds only these values (scripts/vendor.mjs).
export { CodeChallengeMethod, OAuth2Client } from 'arctic/dist/client.js';
export { generateCodeVerifier, generateState } from 'arctic/dist/oauth2.js';
export { ArcticFetchError, createOAuth2Request, encodeBasicCredentials, OAuth2RequestError, sendTokenRequest } from 'arctic/dist/request.js';
export type * from 'arctic/dist/client.js';
export type * from 'arctic/dist/oauth2.js';
export type * from 'arctic/dist/request.js';
