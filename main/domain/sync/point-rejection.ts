export interface PointRejectionView {
  id: number;
  at: number;
  deviceName: string;
  tagName: string;
  ts: number;
  code: string;
  message: string;
}
