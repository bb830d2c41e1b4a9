import autocannon from 'autocannon';

export interface Throughput {
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
}

/** Requests per second with keep-alive, measured by autocannon in this process. */
export async function measureThroughput(url: string, seconds = 5, connections = 16): Promise<Throughput> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99, errors: result.errors + result.non2xx };
}
