import { Address4 } from 'ip-address';

/** A parsed IPv4 CIDR block. `network` is the canonical form with host bits cleared. */
export interface Ipv4Cidr {
  readonly network: string;
  readonly prefix: number;
  readonly first: bigint;
  readonly last: bigint;
}

const CIDR_FORM = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** Parses `a.b.c.d/n`; returns undefined for anything else (a bare address included). */
export function parseIpv4Cidr(value: string): Ipv4Cidr | undefined {
  if (!CIDR_FORM.test(value) || !Address4.isValid(value)) return undefined;
  const address = new Address4(value);
  const first = address.startAddress().bigInt();
  return {
    network: `${address.startAddress().correctForm()}/${address.subnetMask}`,
    prefix: address.subnetMask,
    first,
    last: address.endAddress().bigInt(),
  };
}

function mustParse(value: string): Ipv4Cidr {
  const parsed = parseIpv4Cidr(value);
  if (!parsed) throw new Error(`"${value}" is not an IPv4 CIDR block`);
  return parsed;
}

/** True when two CIDR blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = mustParse(a);
  const y = mustParse(b);
  return x.first <= y.last && y.first <= x.last;
}

/**
 * Terraform's `cidrsubnet(prefix, newbits, netnum)`, computed at synth time so the
 * subnet ranges are visible in the synthesized JSON and checkable before any plan.
 */
export function cidrSubnet(prefix: string, newbits: number, netnum: number): string {
  const parent = mustParse(prefix);
  const length = parent.prefix + newbits;
  if (length > 32) throw new Error(`cannot add ${newbits} bits to ${prefix}`);
  if (netnum < 0 || netnum >= 2 ** newbits) throw new Error(`network ${netnum} does not fit in ${newbits} bits`);
  const start = parent.first + BigInt(netnum) * 2n ** BigInt(32 - length);
  return `${Address4.fromBigInt(start).correctForm()}/${length}`;
}

