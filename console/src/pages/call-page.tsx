import { api } from '../api';
import { when } from '../ui/lists';
import { must, useLoad } from '../ui/load';
import { TimelinePicture } from '../ui/timeline';

export function CallPage({ id }: { id: string }) {
  const call = useLoad(async () => must(await api.GET('/api/calls/{id}', { params: { path: { id } } })), [id]);
  const c = call.data;
  if (call.error) return <p class="form-error">{call.error}</p>;
  if (!c) return <p>Loading…</p>;
  return (
    <section>
      <h1>
        Call from {c.callerNumber} to {c.calledNumber}
      </h1>
      <p>
        {when(c.createdAt)} · status <strong>{c.status}</strong> ({c.reason}) · charge {c.charge} · <a href={`#/extensions/${c.extensionId}`}>extension</a>
      </p>
      <h2>Timeline</h2>
      <TimelinePicture events={c.timeline} />
      <div class="beside">
        <div>
          <h2>Charges</h2>
          <table>
            <thead>
              <tr>
                <th>Leg</th>
                <th>Destination</th>
                <th>Limit (s)</th>
                <th>Duration (s)</th>
                <th>Charge</th>
                <th>State</th>
                <th>Balance after</th>
              </tr>
            </thead>
            <tbody>
              {c.charges.map((ch) => (
                <tr key={ch.reservationId}>
                  <td>{ch.leg}</td>
                  <td>{ch.destination}</td>
                  <td class="num">{ch.seconds}</td>
                  <td class="num">{ch.duration ?? '-'}</td>
                  <td class="num">{ch.charge ?? '-'}</td>
                  <td>{ch.state}</td>
                  <td class="num">{ch.balanceAfter ?? '-'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {c.charges.length === 0 && <p>No charges.</p>}
        </div>
        <div>
          <h2>Caller ID trace</h2>
          {c.callerIdTrace ? (
            <ol class="trace">
              {c.callerIdTrace.map((s, i) => (
                <li key={i}>
                  <strong>{s.rule}</strong>: {s.detail}
                </li>
              ))}
            </ol>
          ) : (
            <p>No dial, no caller ID chosen.</p>
          )}
        </div>
      </div>
      <h2>Events</h2>
      <table>
        <thead>
          <tr>
            <th>At</th>
            <th>Event</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {c.timeline.map((e, i) => (
            <tr key={i}>
              <td>{when(e.at)}</td>
              <td>{e.event}</td>
              <td>
                <code>{JSON.stringify(e.detail)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
