-- Every legacy province: GSO code, name and the package's key for it.
SELECT DISTINCT provinceCode, province, provinceKey FROM admin_units_legacy;
