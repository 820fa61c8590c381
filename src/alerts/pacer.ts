// Slack takes about one message per second per channel. A burst of alerts queues here,
// per channel, instead of being dropped or rate-limited by Slack.
import Bottleneck from 'bottleneck';

export class ChannelPacer {
  private readonly limiters = new Map<string, Bottleneck>();

  constructor(private readonly perSecond: number) {}

  post<T>(channel: string, send: () => Promise<T>): Promise<T> {
    let limiter = this.limiters.get(channel);
    if (!limiter) {
      limiter = new Bottleneck({ maxConcurrent: 1, minTime: Math.ceil(1000 / this.perSecond) });
      this.limiters.set(channel, limiter);
    }
    return limiter.schedule(send);
  }
}
