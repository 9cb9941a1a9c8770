// Route userCreated events to the email and points queues, then publish one.
import { Admin, Publisher } from 'switchyard/client';

const admin = new Admin();
await admin.setInterests('email', { type: '^userCreated$' });
await admin.setInterests('points', { type: '^userCreated$' });
const publisher = new Publisher({ publisher: 'signup-service' });
const answer = await publisher.publish({ data: { type: 'userCreated', email: 'ann@example.com' } });
console.log(`event ${answer.eventId} went to ${answer.tasks.map((t) => t.queue).join(' and ')}`);
