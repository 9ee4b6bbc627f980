// The types of zod, for index.mjs beside it, which holds only these values (scripts/vendor.mjs).
export { any, array, boolean, coerce, config, email, enum, iso, literal, null, number, object, strictObject, string, stringbool, url, uuid } from 'zod';
export type * from 'zod';
