import { scopes, tiers, type Tier } from '../../main/domain/cloud/account.js';
import { isDialect } from '../sim/cloud/dialect.js';
import { startCloudSim } from '../sim/cloud/index.js';

/**
 * The TwinEdge API simulator in its own process, as the real service is on another machine: the bench's
 * client and the server do not take turns on one event loop. Args: dialect, tier, key. Prints "READY <url>";
 * counters at GET /__sim/stats. Ends on SIGTERM or when its parent goes.
 */
const [dialect = 'ours', tier = 'enterprise', key] = process.argv.slice(2);
if (!isDialect(dialect)) throw new Error(`unknown dialect ${dialect}`);
if (!(tiers as readonly string[]).includes(tier)) throw new Error(`unknown tier ${tier}`);
if (!key) throw new Error('no key given');
const sim = await startCloudSim({ dialect, keys: [{ key, tier: tier as Tier, scopes: [...scopes], name: 'bench' }] });
const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
console.log(`READY ${sim.url}`);
