/** What-if over an inventory: policies evaluated against devices, and the inventory readers (JSON, CSV, Graph pages). */
export * from "./evaluate";
export * from "./inventory";
export { streamDeviceInventory, MAX_RECORD_CHARS, type InventoryStreamResult } from "./inventory-stream";
