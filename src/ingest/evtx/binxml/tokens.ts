/** Binary XML token bytes (the low nibble; 0x40 marks "more follows" / "has attributes"). */
export const Token = {
  EndOfStream: 0x00,
  OpenStartElement: 0x01,
  CloseStartElement: 0x02,
  CloseEmptyElement: 0x03,
  EndElement: 0x04,
  Value: 0x05,
  Attribute: 0x06,
  CData: 0x07,
  CharRef: 0x08,
  EntityRef: 0x09,
  PITarget: 0x0a,
  PIData: 0x0b,
  TemplateInstance: 0x0c,
  NormalSubstitution: 0x0d,
  OptionalSubstitution: 0x0e,
  FragmentHeader: 0x0f,
} as const;

export const MORE_BIT = 0x40;

/** Substitution value types; `| 0x80` is the array form. */
export const ValueType = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
} as const;

export const ARRAY_BIT = 0x80;
