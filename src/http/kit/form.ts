/** Reading an HTML form's fields (urlencoded bodies: every value is a string, or missing). */
import type { Request } from 'express';

/** The named field as sent, or '' when it is missing or not a string. */
export function formValue(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}
