/**
 * Collector errors that are not failures of the host: the subsystem is simply absent.
 *
 * @module
 */

/**
 * Thrown by a collector whose source does not exist on this host (no conntrack module, no
 * /proc/mdstat). Reported as `node_scrape_collector_success 0` like node_exporter, logged only
 * at debug level.
 */
export class NoDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoDataError";
  }
}
