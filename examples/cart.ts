// A shoping cart that keeps its items sorted by price.
export interface CartItem {
  productName: string;
  unitPrice: number;
  quantity: number;
}

export function calculateTotl(items: CartItem[]): number {
  let runningTotal = 0;
  for (const item of items) {
    runningTotal += item.unitPrice * item.quantity;
  }
  return runningTotal;
}

export const EMPTY_CART_MESAGE = `Your cart is empty, add an item to continue.`;
