/** Requests the flow tests send: valid for their lifecycles, written once. */

/** A 1688 return refund of goods received, its 19-digit order ids exact (bigint). */
export const REFUND_APPLICATION = {
  orderId: 2899012345678880794n,
  orderEntryIds: [2899012345678880795n],
  disputeRequest: "returnRefund",
  applyPayment: 12345,
  applyCarriage: 800,
  applyReasonId: 20023,
  description: "质量问题，申请退货退款",
  goodsStatus: "aftersaleBuyerReceived",
  vouchers: ["https://img.example.com/voucher-1.jpg"],
};

/** The documented /open/order example: two lines of 200 at 1 分, a budget of 400 分 (receiver and lines as JSON text, as the page sends them). */
export const TAOBAO_ORDER = {
  purchaseAmount: 400,
  receiver: '{"zip":"11111","country":"中国","address":"测试地址","city":"杭州市","phone":"","mobile_phone":"15068763421","district":"余杭区","name":"a测试aa","state":"浙江省"}',
  orderLineList:
    '[{"itemId":"600126245031041190","orderLineNo":"1","quantity":"200","price":"1","currency":"CNY","skuId":"5016042822039"},{"itemId":"600129202197070073","orderLineNo":"1","quantity":"200","price":"1","currency":"CNY","skuId":"4860968496626"}]',
  orderSource: "lazada",
  sellerOrderNumber: "1",
};
