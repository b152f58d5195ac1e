// The checkout page: places an order, then follows its status as an rxjs stream over server-sent events.
// Uses the global `rxjs` from the UMD bundle, so the page needs no build step.
const { Observable, EMPTY, catchError, distinctUntilChanged, exhaustMap, from, fromEvent, switchMap, takeWhile, tap } =
  rxjs;

const $ = (id) => document.getElementById(id);

const LABELS = {
  waiting: 'waiting for payment',
  paid: 'paid',
  closed: 'closed',
  failed: 'payment failed',
  unknown: 'status unknown',
};

/** The order's status events as an Observable; unsubscribing closes the EventSource. */
function orderStatus$(outTradeNo) {
  return new Observable((subscriber) => {
    const source = new EventSource(`/orders/${encodeURIComponent(outTradeNo)}/events`);
    source.addEventListener('status', (event) => subscriber.next(JSON.parse(event.data)));
    source.addEventListener('error', () => {
      // EventSource reconnects by itself while CONNECTING; CLOSED means the server refused the stream.
      if (source.readyState === EventSource.CLOSED) subscriber.error(new Error('status stream closed'));
    });
    return () => source.close();
  }).pipe(takeWhile((status) => !status.done, true));
}

function postJson(url, body) {
  return from(
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json();
    }),
  );
}

function showError(error) {
  $('error').hidden = false;
  $('error').textContent = String(error?.message ?? error);
}

function render(status) {
  $('status').dataset.status = status.status;
  $('status').textContent = LABELS[status.status] ?? status.status;
  const parts = [];
  if (status.tradeState) parts.push(`trade_state ${status.tradeState}`);
  parts.push(`${status.attempts} ${status.attempts === 1 ? 'query' : 'queries'}`);
  if (status.transactionId) parts.push(`transaction ${status.transactionId}`);
  $('detail').textContent = parts.join(' · ');
  $('pay').disabled = status.status !== 'waiting';
}

let currentOrder;

fromEvent($('place-order'), 'click')
  .pipe(
    tap(() => {
      $('place-order').disabled = true;
    }),
    // The page names the product; the server charges its own catalogue's price for it.
    exhaustMap(() => postJson('/orders', { sku: $('place-order').dataset.sku })),
    tap((order) => {
      currentOrder = order.outTradeNo;
      $('order').hidden = false;
      $('out-trade-no').textContent = order.outTradeNo;
    }),
    switchMap((order) => orderStatus$(order.outTradeNo)),
    distinctUntilChanged((a, b) => a.status === b.status && a.attempts === b.attempts),
  )
  .subscribe({ next: render, error: showError });

fromEvent($('pay'), 'click')
  .pipe(
    tap(() => {
      $('pay').disabled = true;
    }),
    // A failed click shows the error and leaves the button stream alive for the next one.
    exhaustMap(() =>
      postJson(`/orders/${encodeURIComponent(currentOrder)}/pay`).pipe(
        catchError((error) => {
          showError(error);
          $('pay').disabled = false;
          return EMPTY;
        }),
      ),
    ),
  )
  .subscribe();
