// The types of jose/errors, jose/jwks/remote, jose/jwt/decrypt, jose/jwt/encrypt, jose/jwt/sign, jose/jwt/verify, for index.mjs beside it, which holds only these values (scripts/vendor.mjs).
export { JOSEError, JWKSInvalid, JWKSTimeout, JWTExpired } from 'jose/errors';
export { createRemoteJWKSet } from 'jose/jwks/remote';
export { jwtDecrypt } from 'jose/jwt/decrypt';
export { EncryptJWT } from 'jose/jwt/encrypt';
export { SignJWT } from 'jose/jwt/sign';
export { jwtVerify } from 'jose/jwt/verify';
export type * from 'jose/errors';
export type * from 'jose/jwks/remote';
export type * from 'jose/jwt/decrypt';
export type * from 'jose/jwt/encrypt';
export type * from 'jose/jwt/sign';
export type * from 'jose/jwt/verify';
