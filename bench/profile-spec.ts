import { LockbenchError } from '../core/errors.ts';
import type { Workload } from '../core/names.ts';
import {
  PROFILE_NAMES,
  PROFILES,
  type ProfileName,
  type ResolvedProfile,
  resolveProfile,
} from './load/profiles.ts';

/**
 * A profile as the user writes it: its name, then optional parameters, `name:key=value:key=value`
 * (`zipf:theta=0.8`, `hot-set:size=4:share=0.95`, `spike:factor=5:forSec=2`). The label, with
 * parameters in a fixed order, is what cells and reports carry, so two settings of one profile are
 * two different cells.
 */
export interface ProfileSpec {
  name: ProfileName;
  params: Record<string, string>;
  label: string;
}

export function parseProfileSpec(text: string): ProfileSpec {
  const [name = '', ...pairs] = text.trim().split(':');
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `--profile: unknown ${JSON.stringify(name)}; allowed: ${PROFILE_NAMES.join(', ')}, all`,
    );
  }
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z]+)=([^=:,]+)$/.exec(pair);
    if (!m) {
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        `--profile ${name}: expected key=value after ':', got ${JSON.stringify(pair)}; ${name} takes: ${Object.keys(PROFILES[name as ProfileName].params).join(', ') || 'no parameters'}`,
      );
    }
    params[m[1] as string] = m[2] as string;
  }
  const keys = Object.keys(params).sort();
  const label = [name, ...keys.map((k) => `${k}=${params[k]}`)].join(':');
  return { name: name as ProfileName, params, label };
}

/** Resolves a label for a workload; parameters are validated by the profile's own schema. */
export function resolveProfileSpec(label: string, workload?: Workload): ResolvedProfile {
  const spec = parseProfileSpec(label);
  try {
    return resolveProfile(spec.name, spec.params, workload);
  } catch (e) {
    if (e instanceof LockbenchError)
      throw new LockbenchError('LOCKBENCH_USAGE', `--profile ${label}: ${e.message}`);
    throw e;
  }
}
