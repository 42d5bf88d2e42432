import type { Attributes } from './attributes.js';

/**
 * Attributes shown as `dicom.*` properties: the slide's identity, scanner and optics — what a panel or a LIMS wants
 * to show. Patient attributes are left out on purpose: properties travel into logs and JSON listings.
 */
const ATTRIBUTES: Record<string, string> = {
  x0020000d: 'StudyInstanceUID',
  x0020000e: 'SeriesInstanceUID',
  x00080060: 'Modality',
  x00080070: 'Manufacturer',
  x00081090: 'ManufacturerModelName',
  x00181020: 'SoftwareVersions',
  x00181000: 'DeviceSerialNumber',
  x00400512: 'ContainerIdentifier',
  x00080020: 'StudyDate',
  x0008103e: 'SeriesDescription',
  x00209311: 'DimensionOrganizationType',
  x00280004: 'PhotometricInterpretation',
  x00020010: 'TransferSyntaxUID',
  x00282110: 'LossyImageCompression',
};

export function dicomProperties(attributes: Attributes): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [tag, name] of Object.entries(ATTRIBUTES)) {
    const value = attributes.string(tag);
    if (value) properties[`dicom.${name}`] = value;
  }
  const type = Array.from({ length: attributes.count('x00080008') }, (_, i) => attributes.string('x00080008', i) ?? '');
  if (type.length) properties['dicom.ImageType'] = type.join('\\');
  return properties;
}
