import { z } from 'zod';
import { Email, FullName, Username } from './common.js';

/**
 * PATCH /api/me: any of the profile fields; an absent field is left as it is, `full_name: null`
 * clears the name. `.meta({ id })` names it as a component of the OpenAPI document.
 */
export const UpdateMeRequest = z
  .strictObject({
    username: Username.optional(),
    email: Email.optional(),
    full_name: FullName.optional(),
  })
  .meta({ id: 'UpdateMeRequest' });
export type UpdateMeRequest = z.infer<typeof UpdateMeRequest>;
