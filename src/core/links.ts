/** Links Pacer puts in messages to the outside world. */
export function incidentUrl(publicUrl: string, incidentId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/incidents/${incidentId}`;
}

export function ticketUrl(publicUrl: string, ticketId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/tickets/${ticketId}`;
}
