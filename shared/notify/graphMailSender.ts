import { GraphApi } from '../graph/graphApi';
import { sendMail } from '../graph/mail';
import { MailSender } from './deliverNotification';
import { MailThrottle } from './mailThrottle';

/** Sends rendered emails from `sender` through Graph, paced by `throttle` (Exchange limits, reference 6.4). */
export function createGraphMailSender(graph: GraphApi, sender: string, throttle: MailThrottle): MailSender {
    return (to, content, correlationId) =>
        throttle.run(() => sendMail(graph, sender, { subject: content.subject, html: content.html, to, correlationId }));
}
