/** Reading an HTML form's fields (urlencoded bodies: every value is a string, or missing). */
import type { Request } from 'express';
import { refuseUnstorable } from './validation';

/** The named field as sent, or '' when it is missing or not a string. */
export function formValue(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** The named field trimmed ('' when missing); a value PostgreSQL cannot store (a NUL byte…) is refused as the API refuses it. */
export function formText(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  refuseUnstorable({ [name]: v });
  return typeof v === 'string' ? v.trim() : '';
}
