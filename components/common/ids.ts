/** Object ids: Entra and Azure name users, groups, roles, apps and subscriptions by GUID. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

