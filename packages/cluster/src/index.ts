/**
 * @budflow/cluster: coordination between several mains in queue mode — one leader (a Redis lease
 * with fencing tokens) runs pollers and timers, and a pub/sub broadcast carries activation changes.
 */
export {
  createLeaderElection,
  type LeaderElection,
  type LeaderElectionOptions,
  type LeadershipChange,
} from './leader-election.js';
export {
  createBroadcast,
  type Broadcast,
  type BroadcastOptions,
  type ClusterMessage,
} from './broadcast.js';
export { redisOptionsFromUrl } from './redis.js';
