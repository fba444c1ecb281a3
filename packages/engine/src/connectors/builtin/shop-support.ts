import type { ToolCall } from '../../types.js';
import type { AgentConnection, AgentTurn, AgentTurnRequest, ConnectionContext } from '../connector.js';

/**
 * `shop_support`: the phone support line of an online shop. Deterministic: the same conversation
 * always gets the same answers. Intents: opening hours, order status, cancellation, refund, handover
 * to a person, goodbye, and a fallback that hands over after two misunderstandings in a row. Order
 * questions perform a `lookup_order` tool call against the small dataset below.
 */

interface ShopOrder {
  order_id: string;
  item: string;
  price_eur: number;
  status: 'processing' | 'shipped' | 'delivered' | 'cancelled';
  carrier?: string;
  tracking?: string;
  eta?: string;
  delivered_days_ago?: number;
}

export const SHOP_ORDERS: readonly ShopOrder[] = [
  {
    order_id: '12345',
    item: 'wireless headphones',
    price_eur: 129,
    status: 'shipped',
    carrier: 'DHL',
    tracking: 'DHL-88431',
    eta: 'Thursday',
  },
  { order_id: '23456', item: 'a coffee grinder', price_eur: 59, status: 'processing' },
  { order_id: '34567', item: 'running shoes', price_eur: 79, status: 'delivered', delivered_days_ago: 12 },
  { order_id: '45678', item: 'a desk lamp', price_eur: 45, status: 'delivered', delivered_days_ago: 47 },
  { order_id: '56789', item: 'a yoga mat', price_eur: 25, status: 'cancelled' },
];

export const SHOP_SUPPORT_PROMPT = [
  'You are {{agent_name}}, the phone support agent of Northwind Shop, an online shop for electronics, home and sports goods.',
  'You help callers with the status of their orders, cancelling orders that have not shipped yet, refunds for',
  'orders delivered within the last 30 days, and the opening hours of the support line',
  '(Monday to Friday 8 am to 8 pm, Saturday 9 am to 5 pm, closed on Sundays).',
  'Always look the order up by its five-digit order number before answering about it.',
  'If the caller asks for a person, or you cannot help, transfer the call to a colleague.',
].join(' ');

const RETURN_WINDOW_DAYS = 30;
const ANYTHING_ELSE = 'Is there anything else I can help you with?';

type OrderIntent = 'status' | 'cancel' | 'refund';

const HANDOVER = /\b(human|real person|a person|manager|supervisor|representative|someone else|operator|colleague)\b/;
const GOODBYE = /\b(bye|goodbye|that's all|that is all|nothing else|no,? thanks?|no thank you)\b/;
const CANCEL = /\bcancel/;
const REFUND = /\b(refund|money back|return)/;
const STATUS = /\b(where|status|track|arriv|deliver|ship)/;
const HOURS = /\b(hours|open|opening|close|closing)\b/;
const ORDER_ID = /\b(\d{5})\b/;

export function createShopSupport(context: ConnectionContext): AgentConnection {
  const shop = typeof context.customVariables.shop_name === 'string' ? context.customVariables.shop_name : 'Northwind Shop';
  const customer = typeof context.customVariables.customer_name === 'string' ? context.customVariables.customer_name : undefined;
  let pending: OrderIntent | undefined;
  let lastOrderId: string | undefined;
  let misunderstood = 0;

  const say = (reply: string, tool_calls: ToolCall[] = [], end_call = false): AgentTurn => ({ reply, tool_calls, end_call });

  function answerOrder(intent: OrderIntent, orderId: string): AgentTurn {
    const lookup: ToolCall = { name: 'lookup_order', arguments: { order_id: orderId } };
    const order = SHOP_ORDERS.find((o) => o.order_id === orderId);
    if (!order) {
      pending = intent;
      return say(`I'm sorry, I couldn't find an order with the number ${orderId}. Could you check the number and read it to me again?`, [
        lookup,
      ]);
    }
    pending = undefined;
    lastOrderId = orderId;
    const done = (text: string, more: ToolCall[] = []) => say(`${text} ${ANYTHING_ELSE}`, [lookup, ...more]);
    switch (intent) {
      case 'status':
        if (order.status === 'shipped') {
          return done(
            `Your order ${orderId} with ${order.item} was shipped with ${order.carrier} and should arrive on ${order.eta}. The tracking number is ${order.tracking}.`,
          );
        }
        if (order.status === 'processing')
          return done(`Your order ${orderId} with ${order.item} is being prepared and will ship within two business days.`);
        if (order.status === 'delivered')
          return done(`Your order ${orderId} with ${order.item} was delivered ${order.delivered_days_ago} days ago.`);
        return done(`Your order ${orderId} was cancelled and has been refunded in full.`);
      case 'cancel':
        if (order.status === 'processing') {
          return done(`Done: your order ${orderId} with ${order.item} is cancelled and you will not be charged.`, [
            { name: 'cancel_order', arguments: { order_id: orderId } },
          ]);
        }
        if (order.status === 'shipped') {
          return done(
            `Your order ${orderId} has already shipped, so I can't cancel it any more. Once it arrives you can return it within ${RETURN_WINDOW_DAYS} days for a full refund.`,
          );
        }
        if (order.status === 'delivered')
          return done(`Your order ${orderId} was already delivered, so it can't be cancelled; you can return it for a refund instead.`);
        return done(`Your order ${orderId} is already cancelled.`);
      case 'refund':
        if (order.status === 'delivered' && (order.delivered_days_ago ?? 0) <= RETURN_WINDOW_DAYS) {
          return done(
            `I've started a refund of ${order.price_eur.toFixed(2)} euros for order ${orderId}. It will reach your card within 5 to 7 business days.`,
            [{ name: 'create_refund', arguments: { order_id: orderId, amount_eur: order.price_eur } }],
          );
        }
        if (order.status === 'delivered') {
          return done(
            `Your order ${orderId} was delivered ${order.delivered_days_ago} days ago, which is outside our ${RETURN_WINDOW_DAYS}-day return window, so I'm afraid I can't refund it.`,
          );
        }
        if (order.status === 'processing')
          return done(`Your order ${orderId} hasn't shipped yet. I can cancel it instead, which means you won't be charged.`);
        if (order.status === 'shipped')
          return done(
            `Your order ${orderId} is still on its way. Once it arrives you can return it within ${RETURN_WINDOW_DAYS} days for a refund.`,
          );
        return done(`Your order ${orderId} was cancelled and has already been refunded in full.`);
    }
  }

  function respond(message: string): AgentTurn {
    const text = message.toLowerCase();
    if (HANDOVER.test(text)) {
      return say(
        "Of course. I'm transferring you to a colleague now, please hold.",
        [{ name: 'transfer_call', arguments: { department: 'customer_care' } }],
        true,
      );
    }
    const orderId = ORDER_ID.exec(text)?.[1];
    // An order number on its own is most often a status question.
    const intent: OrderIntent | undefined = CANCEL.test(text)
      ? 'cancel'
      : REFUND.test(text)
        ? 'refund'
        : STATUS.test(text)
          ? 'status'
          : (pending ?? (orderId ? 'status' : undefined));
    if (intent) {
      misunderstood = 0;
      const id = orderId ?? (pending ? undefined : lastOrderId);
      if (id) return answerOrder(intent, id);
      pending = intent;
      return say(
        "I can help with that. Could you give me your order number, please? It's the five-digit number in your confirmation email.",
      );
    }
    if (HOURS.test(text)) {
      misunderstood = 0;
      return say(
        `Our support line is open Monday to Friday from 8 am to 8 pm and Saturday from 9 am to 5 pm; we're closed on Sundays. ${ANYTHING_ELSE}`,
      );
    }
    if (GOODBYE.test(text)) return say(`Thank you for calling ${shop}. Goodbye!`, [], true);
    misunderstood += 1;
    if (misunderstood >= 2) {
      return say(
        "I'm sorry I couldn't help with that. Let me transfer you to a colleague who can.",
        [{ name: 'transfer_call', arguments: { department: 'customer_care' } }],
        true,
      );
    }
    return say("I'm sorry, I can help with order status, cancellations, refunds and our opening hours. What would you like to do?");
  }

  return {
    async turn(request: AgentTurnRequest): Promise<AgentTurn> {
      const last = request.conversation.at(-1);
      if (!last) {
        const hello = customer ? `Hello ${customer}, thank you` : 'Thank you';
        return say(`${hello} for calling ${shop}, this is ${context.agentName}. How can I help you today?`);
      }
      return respond(last.content);
    },
  };
}
