/** Edit distance (insertions, deletions, substitutions) between two strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known keys nearest a misspelled dotted key, at most `limit`: among the keys beside it
 * (under its deepest known parent), those within a third of its last segment's length in edits
 * (at least 2), nearest first, then alphabetically.
 */
export function closestKeys(key: string, known: readonly string[], limit = 3): string[] {
  const segments = key.split('.');
  let parent = '';
  for (let depth = segments.length - 1; depth > 0; depth -= 1) {
    const candidate = segments.slice(0, depth).join('.');
    if (known.includes(candidate)) {
      parent = candidate;
      break;
    }
  }
  const prefix = parent ? `${parent}.` : '';
  const rest = key.slice(prefix.length);
  const name = rest.split('.')[0]!;
  const threshold = Math.max(2, Math.floor(name.length / 3));
  const siblings = [...new Set(known.filter((entry) => entry.startsWith(prefix)).map((entry) => entry.slice(prefix.length).split('.')[0]!.replace(/\[\]$/, '')))];
  return siblings
    .map((sibling) => ({ sibling, distance: editDistance(name.toLowerCase(), sibling.toLowerCase()) }))
    .filter((entry) => entry.distance <= threshold && entry.sibling !== name)
    .sort((a, b) => a.distance - b.distance || a.sibling.localeCompare(b.sibling))
    .slice(0, limit)
    .map((entry) => `${prefix}${entry.sibling}`);
}
