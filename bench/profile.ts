import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The functions that took the most time themselves (not counting their callees) in a --cpu-prof profile. */
export async function topSelfTime(file: string, count: number): Promise<Array<{ fn: string; where: string; percent: number }>> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const hits = new Map<string, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const id of profile.samples) {
    const { callFrame } = byId.get(id)!;
    const where = callFrame.url ? `${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${callFrame.lineNumber + 1}` : '';
    const key = `${callFrame.functionName || '(anonymous)'}\t${where}`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  return [...hits]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, value]) => {
      const [fn, where] = key.split('\t') as [string, string];
      return { fn, where, percent: Math.round((value / total) * 1000) / 10 };
    });
}
