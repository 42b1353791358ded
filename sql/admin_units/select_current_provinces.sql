-- Every current province: GSO code, name and the package's key for it.
SELECT DISTINCT provinceCode, province, provinceKey FROM admin_units;
