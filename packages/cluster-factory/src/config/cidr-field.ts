import { z } from 'zod';
import { parseIpv4Cidr } from '../lib/cidr.js';
import { quoted } from './messages.js';

/** A config field holding an IPv4 CIDR block whose prefix is between minPrefix and maxPrefix, without host bits. */
export const cidr = (minPrefix: number, maxPrefix: number) =>
  z.string().superRefine((value, ctx) => {
    const parsed = parseIpv4Cidr(value);
    if (!parsed) {
      ctx.addIssue({ code: 'custom', message: `${quoted(value)} is not an IPv4 CIDR block (expected a.b.c.d/n)` });
    } else if (parsed.prefix < minPrefix || parsed.prefix > maxPrefix) {
      ctx.addIssue({
        code: 'custom',
        message: `${quoted(value)} has prefix /${parsed.prefix} (allowed: /${minPrefix} to /${maxPrefix})`,
      });
    } else if (parsed.network !== value) {
      ctx.addIssue({
        code: 'custom',
        message: `${quoted(value)} has host bits set (did you mean "${parsed.network}"?)`,
      });
    }
  });
